// Switchyard's policy pack: `pulumi preview --policy-pack policy` (see README "Policy pack").
// The rules are plain functions in rules.ts; policies.ts turns them into Pulumi policies.
import { PolicyPack } from "@pulumi/policy";
import { packArgs } from "./policies";

new PolicyPack("switchyard", packArgs);
