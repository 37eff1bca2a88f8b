import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { ConfigDocumentStores } from '../config/runtime-config-source';
import type { SsmParameterReader } from '../config/ssm-parameter-reader';
import { loadLazyModule } from '../lazy/load-lazy-module';

/**
 * Where remote configuration documents are read: SSM through {@link SsmParameterReader} (the lazy
 * module `ssm-parameter-reader`, loaded only by configurations kept in SSM), Secrets Manager
 * through the Powertools provider the write keys share. Both cache each value for `maxAge`.
 */
export function awsConfigStores(secrets: () => SecretsProvider): ConfigDocumentStores {
  let ssm: SsmParameterReader | undefined;
  return {
    parameter: (name, maxAge) => {
      ssm ??= new (loadLazyModule('ssm-parameter-reader').SsmParameterReader)();
      return ssm.get(name, maxAge);
    },
    secret: (secretId, maxAge) => secrets().get(secretId, { maxAge }),
  };
}
