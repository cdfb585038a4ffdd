// AWS rejects (or breaks at run time) a WebSocket API's Lambda integration without an HTTP method:
// "For WebSocket APIs, if you use a Lambda integration, you must set the integration method to
// POST." The service model cannot say it (IntegrationMethod is a free string there), and the
// provider's types make it optional because HTTP APIs do not need it.
import { resourceLabel, type Finding, type PreflightRule } from "../finding";

const SOURCE = "https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations.html (IntegrationMethod)";

export const websocketIntegrations: PreflightRule = {
  name: "websocket-lambda-integration-post",
  description: "A WebSocket API's Lambda (AWS, AWS_PROXY) integrations set integrationMethod POST.",
  check(record, variant) {
    const websocketApis = new Set(record.resources.filter((r) => r.type === "aws:apigatewayv2/api:Api" && r.inputs.protocolType === "WEBSOCKET").map((r) => r.id));
    const findings: Finding[] = [];
    for (const r of record.resources) {
      if (r.type !== "aws:apigatewayv2/integration:Integration" || !websocketApis.has(r.inputs.apiId)) continue;
      if (!["AWS", "AWS_PROXY"].includes(r.inputs.integrationType) || r.inputs.integrationMethod === "POST") continue;
      findings.push({
        stack: variant,
        resource: resourceLabel(r),
        input: "integrationMethod",
        rule: this.name,
        message: `is ${JSON.stringify(r.inputs.integrationMethod ?? null)}; a WebSocket API's Lambda integration must use POST`,
        source: SOURCE,
      });
    }
    return findings;
  },
};
