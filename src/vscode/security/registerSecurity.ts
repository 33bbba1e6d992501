import type { FeatureContext } from '../featureContext';

export function registerSecurity(_features: FeatureContext): void {}
