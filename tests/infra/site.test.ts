// StaticSite under mocks: a private bucket only CloudFront (OAC) can read, HTTPS only, security
// headers, cache behaviours, the SPA fallback, config.json from stack outputs, files with their
// content types, an optional custom domain whose certificate lives in us-east-1 (TLS 1.2 at
// least), and optional access logs into a bucket of their own.
import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { StackRecord } from "../harness/record";
import { ROOT, byName, evaluateStack, ofType } from "../harness/stacks";

let dev: StackRecord;
let prod: StackRecord;
let custom: StackRecord;
let logged: StackRecord;
test.before(async () => {
  [dev, prod, custom, logged] = await Promise.all([
    evaluateStack("dev"),
    evaluateStack("prod"),
    evaluateStack("prod", { "switchyard:siteDomain": "switchyard.example.com", "switchyard:siteZoneId": "Z0123456789ABCDEFGHIJ" }),
    evaluateStack("prod", { "switchyard:siteAccessLogs": "true" }),
  ]);
});

const distribution = (r: StackRecord) => byName(r, "aws:cloudfront/distribution:Distribution", "site");

for (const stack of ["dev", "prod"] as const) {
  test(`${stack}: the bucket is private and encrypted; only this distribution may read it, over TLS`, (t) => {
    const r = stack === "dev" ? dev : prod;
    const bucket = byName(r, "aws:s3/bucket:Bucket", "site");
    t.like(byName(r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "site").inputs, { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    t.like(byName(r, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "site").inputs, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
    const policy = JSON.parse(byName(r, "aws:s3/bucketPolicy:BucketPolicy", "site").inputs.policy);
    const allows = policy.Statement.filter((s: { Effect: string }) => s.Effect === "Allow");
    t.deepEqual(allows, [
      {
        Sid: "CloudFrontReadsThroughOac",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: `${bucket.state.arn}/*`,
        Condition: { StringEquals: { "AWS:SourceArn": distribution(r).state.arn } },
      },
    ]);
    t.true(policy.Statement.some((s: any) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false"));
    const oac = byName(r, "aws:cloudfront/originAccessControl:OriginAccessControl", "site");
    t.like(oac.inputs, { originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4" });
    t.like(distribution(r).inputs.origins[0], { domainName: bucket.state.bucketRegionalDomainName, originAccessControlId: oac.id });
    t.is(ofType(r, "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration").length, 0, "no S3 website endpoint");
  });
}

test("HTTPS only, index.html and config.json never cached, hashed assets cached a year, the SPA fallback on pages", (t) => {
  const d = distribution(prod).inputs;
  t.is(d.defaultRootObject, "index.html");
  t.is(d.defaultCacheBehavior.viewerProtocolPolicy, "redirect-to-https");
  t.is(d.defaultCacheBehavior.cachePolicyId, "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "Managed-CachingDisabled");
  const assets = d.orderedCacheBehaviors.find((b: { pathPattern: string }) => b.pathPattern === "/assets/*");
  t.like(assets, { viewerProtocolPolicy: "redirect-to-https", cachePolicyId: "658327ea-f89d-4fab-a63d-7e88639e58f6", compress: true });
  const router = byName(prod, "aws:cloudfront/function:Function", "site-router");
  const csp = byName(prod, "aws:cloudfront/function:Function", "site-csp");
  t.deepEqual(d.defaultCacheBehavior.functionAssociations, [
    { eventType: "viewer-request", functionArn: router.state.arn },
    { eventType: "viewer-response", functionArn: csp.state.arn },
  ]);
  t.is(router.inputs.code, readFileSync(join(ROOT, "handlers", "site", "viewer-request.js"), "utf8"));
  t.is(router.inputs.runtime, "cloudfront-js-2.0");
  t.true(d.viewerCertificate.cloudfrontDefaultCertificate);
  t.is(prod.outputs.websiteUrl, `https://${distribution(prod).state.domainName}`);
});

test("security headers: HSTS, nosniff, no framing; the CSP's connect-src is exactly the API, live, sign-in and media origins", (t) => {
  const policy = byName(prod, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "site");
  const d = distribution(prod).inputs;
  for (const behaviour of [d.defaultCacheBehavior, ...d.orderedCacheBehaviors]) t.is(behaviour.responseHeadersPolicyId, policy.id);
  t.like(policy.inputs.securityHeadersConfig, {
    strictTransportSecurity: { accessControlMaxAgeSec: 63_072_000, includeSubdomains: true, override: true },
    contentTypeOptions: { override: true },
    frameOptions: { frameOption: "DENY", override: true },
  });
  const store = byName(prod, "aws:cloudfront/keyValueStore:KeyValueStore", "site");
  t.deepEqual(byName(prod, "aws:cloudfront/function:Function", "site-csp").inputs.keyValueStoreAssociations, [store.state.arn]);
  const key = byName(prod, "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey", "site-connect-src").inputs;
  const api = byName(prod, "aws:apigatewayv2/api:Api", "api").state.apiEndpoint;
  const live = byName(prod, "aws:apigatewayv2/api:Api", "calendly-live").state.apiEndpoint;
  t.like(key, { keyValueStoreArn: store.state.arn, key: "connect-src" });
  const media = `https://${byName(prod, "aws:s3/bucket:Bucket", "events-media").state.bucketRegionalDomainName}`;
  t.is(key.value, `${api} ${live} ${prod.outputs.eventsSignInUrl} ${media}`);
  t.like(byName(prod, "aws:cloudfront/keyvaluestoreKey:KeyvaluestoreKey", "site-media-src").inputs, { keyValueStoreArn: store.state.arn, key: "media-src", value: `${media} ${api}` });
  t.regex(live, /^wss:\/\//);
});

test("config.json is written from the stack's outputs, never cached; the built files carry their content types", (t) => {
  const config = byName(prod, "aws:s3/bucketObjectv2:BucketObjectv2", "site-config").inputs;
  t.like(config, { key: "config.json", contentType: "application/json", cacheControl: "no-cache" });
  t.deepEqual(JSON.parse(config.content), {
    apiUrl: prod.outputs.apiUrl,
    liveUrl: prod.outputs.liveUrl,
    dashboardUrl: prod.outputs.dashboardUrl,
    auth: { domain: prod.outputs.eventsSignInUrl, clientId: prod.outputs.eventsUserPoolClientId },
    mediaOrigin: `https://${byName(prod, "aws:s3/bucket:Bucket", "events-media").state.bucketRegionalDomainName}`,
  });
  const files = ofType(prod, "aws:s3/bucketObjectv2:BucketObjectv2").filter((o) => o.name !== "site-config");
  const byKey = Object.fromEntries(files.map((f) => [f.inputs.key, f.inputs]));
  t.like(byKey["index.html"], { contentType: "text/html; charset=utf-8", cacheControl: "no-cache" });
  const js = files.filter((f) => f.inputs.key.endsWith(".js"));
  const css = files.filter((f) => f.inputs.key.endsWith(".css"));
  t.true(js.length >= 1 && css.length >= 1);
  for (const f of [...js, ...css]) {
    t.regex(f.inputs.key, /^assets\/.+-[A-Z0-9]{8}\.(js|css)$/);
    t.is(f.inputs.cacheControl, "public, max-age=31536000, immutable");
    t.regex(f.inputs.contentType, f.inputs.key.endsWith(".js") ? /^text\/javascript/ : /^text\/css/);
  }
  const html = readFileSync(files.find((f) => f.inputs.key === "index.html")!.inputs.source.path, "utf8");
  // index.html names the page's script and style; a chunk loaded on demand (the video player's hls.js) is named by the script that imports it.
  const named = [...js, ...css].filter((f) => html.includes(f.inputs.key));
  const namedText = named.map((f) => readFileSync(f.inputs.source.path, "utf8")).join("\n");
  for (const f of [...js, ...css]) t.true(html.includes(f.inputs.key) || namedText.includes(`"./${f.inputs.key.slice("assets/".length)}"`), `index.html, or a script it names, refers to ${f.inputs.key}`);
  t.notRegex(html, /execute-api|cloudfront\.net|127\.0\.0\.1|localhost/, "the build holds no address");
});

test("a custom domain: a DNS-validated certificate in us-east-1, aliases on the distribution, A and AAAA records", (t) => {
  const cert = byName(custom, "aws:acm/certificate:Certificate", "site");
  t.like(cert.inputs, { domainName: "switchyard.example.com", validationMethod: "DNS" });
  const provider = custom.resources.find((r) => r.type === "pulumi:providers:aws" && r.name === "us-east-1")!;
  t.is(provider.inputs.region, "us-east-1");
  t.regex(cert.provider ?? "", /::us-east-1::/, "the certificate is made in us-east-1");
  t.regex(byName(custom, "aws:acm/certificateValidation:CertificateValidation", "site").provider ?? "", /::us-east-1::/);
  t.regex(distribution(custom).provider ?? "", /::aws::/, "the rest stays on the stack's provider");
  const d = distribution(custom).inputs;
  t.deepEqual(d.aliases, ["switchyard.example.com"]);
  t.like(d.viewerCertificate, { acmCertificateArn: cert.state.arn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" });
  const records = ofType(custom, "aws:route53/record:Record");
  t.deepEqual(records.filter((r) => r.inputs.aliases).map((r) => r.inputs.type).sort(), ["A", "AAAA"]);
  t.true(records.every((r) => r.inputs.zoneId === "Z0123456789ABCDEFGHIJ"));
  t.is(custom.outputs.websiteUrl, "https://switchyard.example.com");
  t.deepEqual(byName(custom, "aws:apigatewayv2/api:Api", "api").inputs.corsConfiguration.allowOrigins, ["https://switchyard.example.com"]);
  t.is(ofType(prod, "aws:acm/certificate:Certificate").length, 0, "no certificate without a domain");
});

test("with a custom domain, viewers need TLS 1.2 or later (TLSv1.2_2021), SNI only", (t) => {
  const viewer = distribution(custom).inputs.viewerCertificate;
  t.is(viewer.minimumProtocolVersion, "TLSv1.2_2021");
  t.is(viewer.sslSupportMethod, "sni-only");
  t.is(viewer.cloudfrontDefaultCertificate, undefined, "the domain's own certificate, not *.cloudfront.net's");
});

const LOG_TYPES = ["aws:cloudwatch/logDeliverySource:LogDeliverySource", "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "aws:cloudwatch/logDelivery:LogDelivery"];

test("access logs are off by default: no log bucket, no delivery, no output", (t) => {
  for (const record of [dev, prod]) {
    t.false(ofType(record, "aws:s3/bucket:Bucket").some((b) => b.name === "site-access-logs"), record.stack);
    for (const type of LOG_TYPES) t.is(ofType(record, type).length, 0, `${record.stack}: ${type}`);
    t.is(record.outputs.siteAccessLogBucket, undefined);
  }
});

test("switchyard:siteAccessLogs: a private, encrypted log bucket in us-east-1 whose files expire after logRetentionDays", (t) => {
  const bucket = byName(logged, "aws:s3/bucket:Bucket", "site-access-logs");
  const inUsEast1 = /::us-east-1::/;
  t.regex(bucket.provider ?? "", inUsEast1, "beside CloudFront's log delivery");
  t.false(bucket.inputs.forceDestroy, "prod keeps its logs on destroy");
  t.like(byName(logged, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "site-access-logs").inputs, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
  t.like(byName(logged, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "site-access-logs").inputs, { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
  t.like(byName(logged, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "site-access-logs").inputs, { rule: { objectOwnership: "BucketOwnerEnforced" } }, "v2 logging needs no ACLs");
  const lifecycle = byName(logged, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "site-access-logs");
  t.deepEqual(lifecycle.inputs.rules, [{ id: "expire-objects", status: "Enabled", filter: {}, expiration: { days: 90 } }], "prod's logRetentionDays");
  for (const r of logged.resources.filter((r) => r.name === "site-access-logs")) t.regex(r.provider ?? "", inUsEast1, `${r.type} in us-east-1`);
  t.is(logged.outputs.siteAccessLogBucket, bucket.state.bucket);
});

test("only the log-delivery service may write, under AWSLogs/<account>/, for this account's us-east-1 delivery sources; TLS only", (t) => {
  const bucket = byName(logged, "aws:s3/bucket:Bucket", "site-access-logs");
  const policy = JSON.parse(byName(logged, "aws:s3/bucketPolicy:BucketPolicy", "site-access-logs").inputs.policy);
  t.deepEqual(
    policy.Statement.filter((s: { Effect: string }) => s.Effect === "Allow"),
    [
      {
        Sid: "CloudFrontLogDelivery",
        Effect: "Allow",
        Principal: { Service: "delivery.logs.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${bucket.state.arn}/AWSLogs/123456789012/*`,
        Condition: {
          StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": "123456789012" },
          ArnLike: { "aws:SourceArn": "arn:aws:logs:us-east-1:123456789012:delivery-source:*" },
        },
      },
    ],
  );
  t.true(policy.Statement.some((s: any) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false"));
});

test("the distribution's access logs are delivered to that bucket (standard logging v2, made in us-east-1)", (t) => {
  const [source, destination, delivery] = LOG_TYPES.map((type) => byName(logged, type, "site-access-logs"));
  t.like(source!.inputs, { logType: "ACCESS_LOGS", resourceArn: distribution(logged).state.arn });
  t.is(destination!.inputs.deliveryDestinationConfiguration.destinationResourceArn, byName(logged, "aws:s3/bucket:Bucket", "site-access-logs").state.arn);
  t.like(delivery!.inputs, { deliverySourceName: source!.state.name, deliveryDestinationArn: destination!.state.arn });
  for (const r of [source!, destination!, delivery!]) t.regex(r.provider ?? "", /::us-east-1::/, r.type);
  t.is(distribution(logged).inputs.loggingConfig, undefined, "no legacy logging (it would need ACLs on the bucket)");
  // Everything else about the site stays as it is.
  const site = (record: StackRecord) => record.resources.filter((r) => r.name.startsWith("site") && r.name !== "site-access-logs").map((r) => `${r.type}::${r.name}`).sort();
  t.deepEqual(site(logged), site(prod));
});
