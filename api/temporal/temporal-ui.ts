/** The Temporal UI's workflow list of `namespace`; null when no UI address is configured. */
export function temporalWorkflowsUrl(uiUrl: string | null, namespace: string): string | null {
  if (!uiUrl) return null;
  return `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows`;
}

/** The page of one workflow run in the Temporal UI; null when no UI address is configured. */
export function temporalRunUrl(uiUrl: string | null, namespace: string, workflowId: string, runId: string): string | null {
  const workflows = temporalWorkflowsUrl(uiUrl, namespace);
  return workflows && `${workflows}/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}

/** The Temporal UI's list of every workflow of one campaign (its launches and sends), by the CampaignId search attribute. */
export function temporalCampaignUrl(uiUrl: string | null, namespace: string, campaignId: number): string | null {
  const workflows = temporalWorkflowsUrl(uiUrl, namespace);
  return workflows && `${workflows}?query=${encodeURIComponent(`CampaignId="${campaignId}"`)}`;
}
