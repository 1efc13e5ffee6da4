// Discovery (§4.1) and API root (§4.2) resources. One API root, /taxii2/sluice/.
import { TAXII_MEDIA_TYPE } from './media';

export const TAXII_API_ROOT_PATH = '/taxii2/sluice/';
/** Largest request body the API root accepts (it accepts none: read-only), per §4.2. */
export const TAXII_MAX_CONTENT_LENGTH = 1_048_576;

export function taxiiDiscovery(baseUrl: string, instanceName: string) {
  const root = `${baseUrl.replace(/\/+$/, '')}${TAXII_API_ROOT_PATH}`;
  return {
    title: `${instanceName} TAXII server`,
    description: 'Read-only TAXII 2.1 server of a Sluice threat-intelligence firehose: public indicators as STIX 2.1.',
    default: root,
    api_roots: [root],
  };
}

export function taxiiApiRoot(instanceName: string) {
  return {
    title: `${instanceName} public indicators`,
    description: 'Collections: every public indicator ("all"), and one per public feed.',
    versions: [TAXII_MEDIA_TYPE],
    max_content_length: TAXII_MAX_CONTENT_LENGTH,
  };
}
