// Every REST route's contract, in the order the OpenAPI document lists them. A new route under
// app/api/v1 adds its contract here (tests/unit/api-contract/coverage.test.ts names any missing).
import type { RouteContract } from './define';
import { asyncApiContract, openApiContract } from './routes/docs';
import { getExportContract, listExportsContract } from './routes/exports';
import {
  createFeedContract,
  deleteFeedContract,
  getFeedContract,
  listFeedsContract,
  retractFromFeedContract,
  submitIndicatorsContract,
  updateFeedContract,
} from './routes/feeds';
import { checkIndicatorContract, createDisputeContract, findIndicatorsContract } from './routes/indicators';
import { findStixIndicatorsContract, getStixIndicatorContract } from './routes/stix';
import { streamContract } from './routes/stream';
import {
  createWebhookContract,
  deleteWebhookContract,
  getWebhookContract,
  listWebhooksContract,
  replayWebhookContract,
  testWebhookContract,
  updateWebhookContract,
} from './routes/webhooks';

export const API_CONTRACTS: readonly RouteContract[] = [
  createFeedContract,
  listFeedsContract,
  getFeedContract,
  updateFeedContract,
  deleteFeedContract,
  submitIndicatorsContract,
  retractFromFeedContract,
  findIndicatorsContract,
  checkIndicatorContract,
  createDisputeContract,
  findStixIndicatorsContract,
  getStixIndicatorContract,
  createWebhookContract,
  listWebhooksContract,
  getWebhookContract,
  updateWebhookContract,
  deleteWebhookContract,
  testWebhookContract,
  replayWebhookContract,
  listExportsContract,
  getExportContract,
  streamContract,
  openApiContract,
  asyncApiContract,
];

/** Routes served by the gateway (server/), not by a Next route file: the coverage test skips them. */
export const SERVER_ROUTE_PATHS: readonly string[] = [streamContract.path];
