import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { inlinePolicy, serviceRole, type Permission } from "./shared/iam";
import { inventory } from "./shared/inventory";

export interface FargateTaskArgs {
  /** Shown on the roles. Example: `"gists sync"`. */
  description: string;
  /**
   * The image, built from the project root (the folder `pulumi up` runs in) with this Dockerfile
   * and pushed to the task's own repository. A `<Dockerfile>.dockerignore` beside it limits the
   * context. Example: `"handlers/sync/Dockerfile"`.
   */
  dockerfile: string;
  /** Environment variables of the container; never secrets (read those from SSM at run time). Example: `{ SYNC_JOB: "gists" }`. */
  environment: Record<string, pulumi.Input<string>>;
  /** What the task's code may do; its role gets exactly these. Example: `[{ actions: ["dynamodb:GetItem"], resources: [table.arn] }]`. */
  permissions: Permission[];
  /** CPU units: 256 = ¼ vCPU. Example: `512`. Default `256`. */
  cpu?: number;
  /** MiB, a size Fargate allows for `cpu`. Example: `1024`. Default `512`. */
  memory?: number;
  /** Days the task's log group keeps logs. Example: `14`. */
  logRetentionDays: number;
  /** Keeps the image repository when the stack is destroyed with images in it. Example: `true` in prod. */
  protectData: boolean;
}

/** The container's name in the task definition. */
const CONTAINER = "sync";

/**
 * A one-off container task on Fargate (arm64) that EventBridge starts: an image built from the
 * repository, an ECS cluster, a task definition logging to its own group, and three roles with
 * inline policies only — the task role (exactly `permissions`), the execution role (pull this
 * image, write this log group) and the role EventBridge assumes to run this task definition in
 * this cluster.
 *
 * Networking costs nothing while idle: a VPC with a public subnet in each of two zones and no NAT
 * gateway; the task gets a public IP for its outbound calls and a security group that admits
 * nothing in and lets only HTTPS (443) out.
 */
export class FargateTask extends pulumi.ComponentResource {
  readonly vpc: awsx.ec2.Vpc;
  readonly securityGroup: aws.ec2.SecurityGroup;
  readonly repository: awsx.ecr.Repository;
  readonly image: awsx.ecr.Image;
  readonly cluster: aws.ecs.Cluster;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly taskRole: aws.iam.Role;
  readonly taskPolicy: aws.iam.RolePolicy;
  readonly executionRole: aws.iam.Role;
  readonly executionPolicy: aws.iam.RolePolicy;
  readonly taskDefinition: aws.ecs.TaskDefinition;
  readonly eventsRole: aws.iam.Role;
  readonly eventsPolicy: aws.iam.RolePolicy;

  private readonly baseName: string;
  private readonly account: pulumi.Output<{ accountId: string; partition: string; region: string }>;

  constructor(name: string, args: FargateTaskArgs, opts?: pulumi.ComponentResourceOptions) {
    super("switchyard:ecs:FargateTask", name, {}, opts);
    this.baseName = name;
    this.account = this.lookUpAccount();
    this.vpc = this.createVpc();
    this.securityGroup = this.createSecurityGroup();
    this.repository = this.createRepository(args);
    this.image = this.createImage(args);
    this.cluster = this.createCluster();
    this.logGroup = this.createLogGroup(args);
    inventory.otherLogGroups.push({ name, logGroup: this.logGroup });
    [this.taskRole, this.taskPolicy] = this.createTaskRole(args);
    [this.executionRole, this.executionPolicy] = this.createExecutionRole();
    this.taskDefinition = this.createTaskDefinition(args);
    [this.eventsRole, this.eventsPolicy] = this.createEventsRole();
    this.registerOutputs({ clusterArn: this.cluster.arn, taskDefinitionArn: this.taskDefinition.arn });
  }

  get nodes() {
    return {
      vpc: this.vpc,
      securityGroup: this.securityGroup,
      repository: this.repository,
      image: this.image,
      cluster: this.cluster,
      logGroup: this.logGroup,
      taskRole: this.taskRole,
      taskPolicy: this.taskPolicy,
      executionRole: this.executionRole,
      executionPolicy: this.executionPolicy,
      taskDefinition: this.taskDefinition,
      eventsRole: this.eventsRole,
      eventsPolicy: this.eventsPolicy,
    };
  }

  /** What an EventBridge target needs to start one copy of the task in a public subnet. */
  get ecsTarget(): aws.types.input.cloudwatch.EventTargetEcsTarget {
    return {
      taskDefinitionArn: this.taskDefinition.arn,
      launchType: "FARGATE",
      taskCount: 1,
      platformVersion: "LATEST",
      networkConfiguration: { subnets: this.vpc.publicSubnetIds, securityGroups: [this.securityGroup.id], assignPublicIp: true },
    };
  }

  /** Account, partition and region of the provider, for ARNs and the awslogs driver. */
  private lookUpAccount() {
    const invoke = { parent: this };
    return pulumi
      .all([aws.getCallerIdentityOutput({}, invoke), aws.getPartitionOutput({}, invoke), aws.getRegionOutput({}, invoke)])
      .apply(([identity, partition, region]) => ({ accountId: identity.accountId, partition: partition.partition, region: region.region }));
  }

  /** Public subnets only, no NAT gateway (about $32 a month each, idle or not). */
  private createVpc() {
    return new awsx.ec2.Vpc(
      `${this.baseName}-vpc`,
      {
        cidrBlock: "10.40.0.0/16",
        numberOfAvailabilityZones: 2,
        subnetStrategy: "Auto",
        subnetSpecs: [{ type: "Public", cidrMask: 24 }],
        natGateways: { strategy: "None" },
      },
      { parent: this },
    );
  }

  /** Nothing in; out, HTTPS only (the job calls HTTPS APIs and AWS endpoints; DNS and the task metadata endpoint are not filtered by security groups). */
  private createSecurityGroup() {
    return new aws.ec2.SecurityGroup(
      this.baseName,
      {
        vpcId: this.vpc.vpcId,
        description: "Scheduled task: no inbound, HTTPS outbound",
        ingress: [],
        egress: [{ description: "HTTPS", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
      },
      { parent: this },
    );
  }

  /** Its own repository, named so its ARN is known up front (for the execution role); a few images kept. */
  private createRepository(args: FargateTaskArgs) {
    return new awsx.ecr.Repository(
      this.baseName,
      {
        name: this.repositoryName(),
        forceDelete: !args.protectData,
        imageScanningConfiguration: { scanOnPush: true },
        lifecyclePolicy: { rules: [{ description: "Keep the last 5 images", tagStatus: "any", maximumNumberOfImages: 5 }] },
      },
      { parent: this },
    );
  }

  private repositoryName() {
    return `${pulumi.getProject()}-${pulumi.getStack()}-${this.baseName}`.toLowerCase();
  }

  private createImage(args: FargateTaskArgs) {
    return new awsx.ecr.Image(
      this.baseName,
      { repositoryUrl: this.repository.url, context: ".", dockerfile: args.dockerfile, platform: "linux/arm64" },
      { parent: this },
    );
  }

  /** Container Insights off: the job emits its own metrics, and Insights is billed per task. */
  private createCluster() {
    return new aws.ecs.Cluster(this.baseName, { settings: [{ name: "containerInsights", value: "disabled" }] }, { parent: this });
  }

  private createLogGroup(args: FargateTaskArgs) {
    return new aws.cloudwatch.LogGroup(
      this.baseName,
      { name: `/switchyard/${pulumi.getStack()}/${this.baseName}`, retentionInDays: args.logRetentionDays },
      { parent: this },
    );
  }

  /** The job's own permissions, nothing more; only ECS tasks of this account may assume it. */
  private createTaskRole(args: FargateTaskArgs) {
    const role = serviceRole(
      this.baseName,
      {
        service: "ecs-tasks.amazonaws.com",
        description: `Runs the ${args.description} task`,
        conditions: {
          StringEquals: { "aws:SourceAccount": this.account.accountId },
          ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${this.account.partition}:ecs:${this.account.region}:${this.account.accountId}:*` },
        },
      },
      { parent: this },
    );
    return [role, inlinePolicy(this.baseName, role, args.permissions, { parent: this })] as const;
  }

  /**
   * What ECS itself needs to start the task: pull this repository's image and write this log
   * group. `ecr:GetAuthorizationToken` has no resource to scope to, so it is on `*`.
   */
  private createExecutionRole() {
    const name = `${this.baseName}-execution`;
    const role = serviceRole(name, { service: "ecs-tasks.amazonaws.com", description: `Pulls the image and writes the logs of the ${this.baseName} task` }, { parent: this });
    const repositoryArn = pulumi.interpolate`arn:${this.account.partition}:ecr:${this.account.region}:${this.account.accountId}:repository/${this.repositoryName()}`;
    const policy = inlinePolicy(
      name,
      role,
      [
        { actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
        { actions: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], resources: [repositoryArn] },
        { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [pulumi.interpolate`${this.logGroup.arn}:log-stream:*`] },
      ],
      { parent: this },
    );
    return [role, policy] as const;
  }

  /** Fargate, arm64, a read-only root filesystem, logs to its own group. */
  private createTaskDefinition(args: FargateTaskArgs) {
    const environment = Object.entries(args.environment)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => ({ name, value }));
    return new aws.ecs.TaskDefinition(
      this.baseName,
      {
        family: `${pulumi.getProject()}-${pulumi.getStack()}-${this.baseName}`,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        runtimePlatform: { cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" },
        cpu: String(args.cpu ?? 256),
        memory: String(args.memory ?? 512),
        taskRoleArn: this.taskRole.arn,
        executionRoleArn: this.executionRole.arn,
        containerDefinitions: pulumi.jsonStringify([
          {
            name: CONTAINER,
            image: this.image.imageUri,
            essential: true,
            readonlyRootFilesystem: true,
            environment,
            logConfiguration: {
              logDriver: "awslogs",
              options: { "awslogs-group": this.logGroup.name, "awslogs-region": this.account.region, "awslogs-stream-prefix": CONTAINER },
            },
          },
        ]),
      },
      // The policies first: a task started before its roles may act would fail its first run.
      { parent: this, dependsOn: [this.taskPolicy, this.executionPolicy] },
    );
  }

  /** EventBridge may run this task definition (any revision) in this cluster, and pass it its two roles; nothing else. */
  private createEventsRole() {
    const name = `${this.baseName}-events`;
    const role = serviceRole(name, { service: "events.amazonaws.com", description: `Lets EventBridge start the ${this.baseName} task` }, { parent: this });
    const policy = inlinePolicy(
      name,
      role,
      [
        { actions: ["ecs:RunTask"], resources: [pulumi.interpolate`${this.taskDefinition.arnWithoutRevision}:*`], conditions: { ArnEquals: { "ecs:cluster": this.cluster.arn } } },
        {
          actions: ["iam:PassRole"],
          resources: [this.taskRole.arn, this.executionRole.arn],
          conditions: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
      ],
      { parent: this },
    );
    return [role, policy] as const;
  }
}
