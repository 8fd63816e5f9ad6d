/** The page of one workflow run in the Temporal UI; null when no UI address is configured. */
export function temporalRunUrl(uiUrl: string | null, namespace: string, workflowId: string, runId: string): string | null {
  if (!uiUrl) return null;
  return `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}
