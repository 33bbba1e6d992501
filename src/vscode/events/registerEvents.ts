import * as vscode from 'vscode';
import { registerCommand } from '../commands';
import type { FeatureContext } from '../featureContext';
import type { RunsNode } from '../orchestration/runsTree';
import type { RunsController } from '../orchestration/runsController';
import { EventListenerController } from './eventListenerController';

const LISTEN_ACTION = 'Listening for webhooks';

/** Start / Stop Event Listener, Set Webhook Secret and Redeliver on runs started by a delivery. */
export function registerEvents(features: FeatureContext, runs: RunsController): void {
  const controller = new EventListenerController(features, runs);
  features.extension.subscriptions.push(controller);
  registerCommand(features, 'claudePm.events.startListener', () => controller.start(), { permission: 'workflow.run', requiresTrust: LISTEN_ACTION });
  registerCommand(features, 'claudePm.events.stopListener', () => controller.stop());
  registerCommand(features, 'claudePm.events.setSecret', () => controller.setSecret(), { permission: 'system.configure' });
  registerCommand(
    features,
    'claudePm.events.redeliver',
    async (node?: RunsNode) => {
      const entry = node?.kind === 'run' ? runs.get(node.id) : undefined;
      const deliveryId = entry?.record.trigger?.deliveryId;
      if (!entry || !deliveryId) throw new Error(vscode.l10n.t('Pick a run started by a webhook delivery in the Runs view.'));
      await controller.redeliver(entry.folder, deliveryId);
    },
    { permission: 'workflow.run', requiresTrust: LISTEN_ACTION },
  );
}
