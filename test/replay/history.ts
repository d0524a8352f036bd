// Reading a history fixture (`temporal workflow show --output json`, proto3 JSON) into the
// History message the SDK's replayer takes.
//
// Why not the SDK's own historyFromJSON: with this lockfile @temporalio/common and @temporalio/proto
// each get their own nested copy of protobufjs 8 (the hoisted protobufjs is 7), and common's copy
// refuses a message type built by proto's copy ("type must be a Type"). So we parse with the
// protobufjs that @temporalio/proto itself loads: the same classes the History type was built with.
import type * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import path from 'node:path';

type History = proto.temporal.api.history.v1.IHistory;

interface ProtoJson {
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const protojson = require(
  require.resolve('protobufjs/ext/protojson', { paths: [path.dirname(require.resolve('@temporalio/proto/package.json'))] }),
) as ProtoJson;
// the module object itself (a namespace import would be a copy without the protobufjs root's methods)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('@temporalio/proto') as typeof proto;
const historyType = (patchProtobufRoot(root) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

/** proto3 JSON (event ids as strings, enums as EVENT_TYPE_… names, payloads base64) to a History message. */
export function historyFromProtoJson(json: unknown): History {
  const history = protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History | null;
  if (!history?.events?.length) throw new TypeError('not a history with events');
  return history;
}
