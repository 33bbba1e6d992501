import type { FeatureContext } from '../featureContext';

export function registerTemplates(_features: FeatureContext): void {}
