import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createSiteAccessLogs } from "./site-access-logs";
import { createPrivateBucket } from "./shared/private-bucket";

/** CloudFront's managed cache policies (same ids in every account). */
const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";

/** A built file of the site and how it is served (website/build.ts makes this list). */
export interface SiteFile {
  /** Relative to `dir`, with forward slashes. Example: `"assets/main-5FJ2K3LQ.js"`. */
  path: string;
  contentType: string;
  cacheControl: string;
}

/** What the site learns once the APIs exist (see `StaticSite.publishSettings`). */
export interface SiteSettings {
  /**
   * What the page reads from `/config.json`, written at deploy time from stack outputs so the build
   * never holds an address. Example: `{ apiUrl: api.url, liveUrl: ingest.liveUrl }`.
   */
  config: Record<string, pulumi.Input<string> | Record<string, pulumi.Input<string>> | undefined>;
  /**
   * Origins the page may connect to (the CSP's `connect-src`), besides its own. Example:
   * `[api.url, ingest.liveUrl]` (paths are dropped).
   */
  connectOrigins: pulumi.Input<string>[];
  /**
   * Origins the page may load images and video from (the CSP's `img-src` and `media-src`),
   * besides its own. Example: `[events.mediaOrigin]` (presigned S3 URLs).
   */
  mediaOrigins?: pulumi.Input<string>[];
}

export interface StaticSiteArgs {
  /**
   * The built site: a folder with `index.html` at its root and hashed files under `assets/`, and
   * its files with their content types and cache headers. Example: `{ dir, files: buildWebsite({ outDir: dir }) }`.
   */
  site: { dir: string; files: SiteFile[] };
  /**
   * A custom domain, with the Route 53 hosted zone that holds it: the certificate (ACM, us-east-1,
   * as CloudFront requires) is validated and the alias records are made there. Example:
   * `{ name: "switchyard.example.com", zoneId: "Z0123456789ABC" }`.
   */
  domain?: { name: string; zoneId: string };
  /** A provider for us-east-1, where CloudFront takes certificates from and delivers its logs (used with `domain` and `accessLogs`). Example: `usEast1Provider`. */
  usEast1: aws.Provider;
  /** Keeps the bucket (and the access-log bucket) when the stack is destroyed with files in it. Example: `true` in prod. */
  protectData: boolean;
  /**
   * CloudFront access logs into a private bucket of their own in us-east-1, each file kept
   * `retentionDays`; unset: none. Example: `{ retentionDays: 90 }`.
   */
  accessLogs?: { retentionDays: number };
  /** Changes the distribution's args before it is created. Example: `(args) => { args.priceClass = "PriceClass_All"; }`. */
  transform?: { distribution?: (args: aws.cloudfront.DistributionArgs) => void };
}

/** `https://host/path` → `https://host` (and `wss://…` alike): CSP sources are origins. */
const originOf = (url: string) => new URL(url).origin;

/**
 * The website: a private, encrypted S3 bucket that only this CloudFront distribution can read
 * (Origin Access Control), HTTPS only, security headers on every answer (HSTS, nosniff, DENY
 * framing, and a CSP that allows exactly the API and live origins), client-side routes served `index.html` by a CloudFront Function,
 * hashed assets cached for a year and `index.html`/`config.json` never cached — so a deploy needs
 * no invalidation. `config.json` is written from stack outputs at deploy time.
 */
export class StaticSite extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly distribution: aws.cloudfront.Distribution;
  readonly headersPolicy: aws.cloudfront.ResponseHeadersPolicy;
  readonly router: aws.cloudfront.Function;
  readonly csp: aws.cloudfront.Function;
  readonly settings: aws.cloudfront.KeyValueStore;
  connectSrc?: aws.cloudfront.KeyvaluestoreKey;
  mediaSrc?: aws.cloudfront.KeyvaluestoreKey;
  configFile?: aws.s3.BucketObjectv2;
  readonly originAccess: aws.cloudfront.OriginAccessControl;
  readonly files: aws.s3.BucketObjectv2[];
  readonly certificate?: aws.acm.Certificate;
  /** With `accessLogs`: the log bucket and its delivery. */
  readonly accessLogs?: ReturnType<typeof createSiteAccessLogs>;
  /** `https://<domain or distribution>`. */
  readonly url: pulumi.Output<string>;

  private readonly name: string;

  constructor(name: string, args: StaticSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("switchyard:site:StaticSite", name, {}, opts);
    this.name = name;
    const storage = createPrivateBucket(name, { versioned: false, forceDestroy: !args.protectData, deferPolicy: true }, { parent: this });
    this.bucket = storage.bucket;
    this.originAccess = this.createOriginAccess();
    this.headersPolicy = this.createHeadersPolicy();
    this.router = this.cloudFrontFunction("router", "viewer-request.js", "Client-side routes → /index.html");
    this.settings = new aws.cloudfront.KeyValueStore(name, { comment: `Switchyard ${name}: origins for the CSP` }, { parent: this });
    this.csp = this.cloudFrontFunction("csp", "viewer-response.js", "Content-Security-Policy from the KeyValueStore", [this.settings.arn]);
    this.certificate = args.domain ? this.createCertificate(args.domain, args.usEast1) : undefined;
    this.distribution = this.createDistribution(args);
    storage.attachPolicy([this.cloudFrontReadStatement()]);
    if (args.accessLogs) {
      this.accessLogs = createSiteAccessLogs(
        `${name}-access-logs`,
        { distribution: this.distribution, retentionDays: args.accessLogs.retentionDays, protectData: args.protectData, usEast1: args.usEast1 },
        { parent: this },
      );
    }
    if (args.domain) this.createAliasRecords(args.domain);
    this.files = this.uploadFiles(args.site);
    this.url = args.domain ? pulumi.output(`https://${args.domain.name}`) : pulumi.interpolate`https://${this.distribution.domainName}`;
    this.registerOutputs({ url: this.url, bucket: this.bucket.bucket, accessLogBucket: this.accessLogs?.bucket.bucket });
  }

  /**
   * The second step, once the APIs exist: `/config.json` and the CSP's `connect-src`. It is
   * separate because the API's CORS needs this site's `url` first; neither file nor entry is
   * something the distribution depends on, so the two can be written after both exist.
   */
  publishSettings(settings: SiteSettings) {
    this.connectSrc = this.writeConnectSources(settings.connectOrigins);
    if (settings.mediaOrigins?.length) this.mediaSrc = this.writeOrigins("media-src", settings.mediaOrigins);
    this.configFile = this.writeConfig(settings.config);
  }

  get nodes() {
    return {
      bucket: this.bucket,
      distribution: this.distribution,
      headersPolicy: this.headersPolicy,
      router: this.router,
      csp: this.csp,
      settings: this.settings,
      originAccess: this.originAccess,
      certificate: this.certificate,
      accessLogBucket: this.accessLogs?.bucket,
    };
  }

  private createOriginAccess() {
    return new aws.cloudfront.OriginAccessControl(
      this.name,
      { description: `Switchyard ${this.name}: CloudFront reads the private bucket`, originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4" },
      { parent: this },
    );
  }

  /** Security headers besides the CSP (see `csp`), overriding anything the origin sends. */
  private createHeadersPolicy() {
    return new aws.cloudfront.ResponseHeadersPolicy(
      this.name,
      {
        comment: `Switchyard ${this.name}: security headers`,
        securityHeadersConfig: {
          strictTransportSecurity: { accessControlMaxAgeSec: 63_072_000, includeSubdomains: true, preload: true, override: true },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: "DENY", override: true },
          referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
        },
      },
      { parent: this },
    );
  }

  /** A CloudFront Function from handlers/site/ (plain JavaScript CloudFront runs as it is). */
  private cloudFrontFunction(kind: string, file: string, comment: string, keyValueStoreAssociations?: pulumi.Input<string>[]) {
    return new aws.cloudfront.Function(
      `${this.name}-${kind}`,
      { runtime: "cloudfront-js-2.0", comment, publish: true, keyValueStoreAssociations, code: readFileSync(join(__dirname, "..", "handlers", "site", file), "utf8") },
      { parent: this },
    );
  }

  /**
   * The CSP's `connect-src`: exactly the API and live origins. Written into the KeyValueStore (read
   * by the viewer-response function), not into the headers policy, because the API's CORS needs
   * this site's address: a policy holding the API's address would make the distribution and the
   * API wait for each other.
   */
  private writeConnectSources(origins: pulumi.Input<string>[]) {
    return this.writeOrigins("connect-src", origins);
  }

  /** One KeyValueStore entry of origins (`connect-src`; `media-src`, which the function adds to `img-src` and `media-src`). */
  private writeOrigins(key: string, origins: pulumi.Input<string>[]) {
    return new aws.cloudfront.KeyvaluestoreKey(
      `${this.name}-${key}`,
      { keyValueStoreArn: this.settings.arn, key, value: pulumi.all(origins).apply((urls) => [...new Set(urls.map(originOf))].join(" ")) },
      { parent: this },
    );
  }

  private createDistribution(args: StaticSiteArgs) {
    const originId = "site-bucket";
    const common = {
      targetOriginId: originId,
      viewerProtocolPolicy: "redirect-to-https",
      allowedMethods: ["GET", "HEAD", "OPTIONS"],
      cachedMethods: ["GET", "HEAD"],
      compress: true,
      responseHeadersPolicyId: this.headersPolicy.id,
    };
    const distributionArgs: aws.cloudfront.DistributionArgs = {
      enabled: true,
      comment: `Switchyard ${this.name} (${pulumi.getStack()})`,
      defaultRootObject: "index.html",
      httpVersion: "http2and3",
      isIpv6Enabled: true,
      priceClass: "PriceClass_100",
      aliases: args.domain ? [args.domain.name] : undefined,
      origins: [{ originId, domainName: this.bucket.bucketRegionalDomainName, originAccessControlId: this.originAccess.id }],
      // index.html, config.json and client-side routes: never cached, so a deploy shows at once.
      defaultCacheBehavior: {
        ...common,
        cachePolicyId: CACHING_DISABLED,
        functionAssociations: [
          { eventType: "viewer-request", functionArn: this.router.arn },
          { eventType: "viewer-response", functionArn: this.csp.arn },
        ],
      },
      // Hashed file names change with their content: cache for a year.
      orderedCacheBehaviors: [{ ...common, pathPattern: "/assets/*", cachePolicyId: CACHING_OPTIMIZED }],
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: this.certificate
        ? { acmCertificateArn: this.certificate.arn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" }
        : { cloudfrontDefaultCertificate: true },
    };
    args.transform?.distribution?.(distributionArgs);
    return new aws.cloudfront.Distribution(this.name, distributionArgs, { parent: this, dependsOn: this.certificate ? [this.certificateValidation!] : [] });
  }

  /** Only this distribution, signing with OAC, may read objects. */
  private cloudFrontReadStatement() {
    return {
      Sid: "CloudFrontReadsThroughOac",
      Effect: "Allow",
      Principal: { Service: "cloudfront.amazonaws.com" },
      Action: "s3:GetObject",
      Resource: pulumi.interpolate`${this.bucket.arn}/*`,
      Condition: { StringEquals: { "AWS:SourceArn": this.distribution.arn } },
    };
  }

  private certificateValidation?: aws.acm.CertificateValidation;

  /** CloudFront takes certificates from us-east-1 only, whatever the stack's region. */
  private createCertificate(domain: { name: string; zoneId: string }, usEast1: aws.Provider) {
    const certificate = new aws.acm.Certificate(`${this.name}`, { domainName: domain.name, validationMethod: "DNS" }, { parent: this, provider: usEast1 });
    const record = new aws.route53.Record(
      `${this.name}-validation`,
      {
        zoneId: domain.zoneId,
        name: certificate.domainValidationOptions[0]!.resourceRecordName,
        type: certificate.domainValidationOptions[0]!.resourceRecordType,
        records: [certificate.domainValidationOptions[0]!.resourceRecordValue],
        ttl: 300,
        allowOverwrite: true,
      },
      { parent: this },
    );
    this.certificateValidation = new aws.acm.CertificateValidation(
      this.name,
      { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
      { parent: this, provider: usEast1 },
    );
    return certificate;
  }

  private createAliasRecords(domain: { name: string; zoneId: string }) {
    for (const type of ["A", "AAAA"]) {
      new aws.route53.Record(
        `${this.name}-${type.toLowerCase()}`,
        {
          zoneId: domain.zoneId,
          name: domain.name,
          type,
          aliases: [{ name: this.distribution.domainName, zoneId: this.distribution.hostedZoneId, evaluateTargetHealth: false }],
        },
        { parent: this },
      );
    }
  }

  /** One object per file; a changed file is a changed object, unchanged ones are left alone. */
  private uploadFiles(site: StaticSiteArgs["site"]) {
    return site.files
      .filter((file) => file.path !== "config.json")
      .map(
        (file) =>
          new aws.s3.BucketObjectv2(
            `${this.name}-${file.path.replace(/[^A-Za-z0-9]+/g, "-")}`,
            {
              bucket: this.bucket.id,
              key: file.path,
              source: new pulumi.asset.FileAsset(join(site.dir, file.path)),
              contentType: file.contentType,
              cacheControl: file.cacheControl,
            },
            { parent: this },
          ),
      );
  }

  private writeConfig(config: SiteSettings["config"]) {
    const entries = Object.entries(config).filter((e) => e[1] !== undefined);
    return new aws.s3.BucketObjectv2(
      `${this.name}-config`,
      {
        bucket: this.bucket.id,
        key: "config.json",
        content: pulumi.jsonStringify(Object.fromEntries(entries)),
        contentType: "application/json",
        cacheControl: "no-cache",
      },
      { parent: this },
    );
  }
}
