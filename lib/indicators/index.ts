export {
  HASH_TYPES,
  INDICATOR_TYPES,
  PARSE_ERROR_CODES,
  isIndicatorType,
  type HashType,
  type IndicatorType,
  type ParseError,
  type ParseErrorCode,
  type ParseOk,
  type ParseOptions,
  type ParseResult,
} from './types';
export {
  ALT_ROOT_TLDS,
  DEFAULT_MAX_CIDR_PREFIX,
  MAX_INPUT_LENGTH,
  normaliseDomain,
  parseHost,
  parseIndicator,
  refang,
  type HostKind,
  type ParsedHost,
} from './parse-indicator';
export {
  checkNeverPublish,
  compileAllowList,
  type AllowList,
  type CompiledAllowList,
  type NeverPublishResult,
} from './never-publish';
export { defang } from './defang';
