/**
 * Lazy module `ssm-parameter-reader` (lambda/contract/lazy-modules.ts): the SSM client (~80 KB of
 * the bundle), loaded by the first read of a configuration kept in SSM
 * (`COLLECTOR_CONFIG_PARAMETER`). Its errors are only logged and wrapped, never matched by class.
 */
export { SsmParameterReader } from '../config/ssm-parameter-reader';
