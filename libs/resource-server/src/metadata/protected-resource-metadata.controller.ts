import { Controller, Get, Header, Inject, NotFoundException } from '@nestjs/common';
import { Public } from '../authorization/decorators/public.decorator.js';
import {
  PROTECTED_RESOURCE_METADATA_PATH,
  ProtectedResourceMetadataPolicy,
  protectedResourceMetadata,
  type ProtectedResourceMetadata,
} from './protected-resource-metadata.js';
import { RouteScopes } from './route-scopes.js';

/**
 * `GET /.well-known/oauth-protected-resource` (RFC 9728 §3), public. Added by the module only
 * when `resource` is set (`forRoot`); under `forRootAsync`, whose options are known only at
 * start-up, it is always added and answers 404, as an unknown route would, while `resource`
 * is unset.
 */
@Public()
@Controller()
export class ProtectedResourceMetadataController {
  private document?: ProtectedResourceMetadata;

  constructor(
    @Inject(ProtectedResourceMetadataPolicy) private readonly policy: ProtectedResourceMetadataPolicy,
    private readonly scopes: RouteScopes,
  ) {}

  @Get(PROTECTED_RESOURCE_METADATA_PATH)
  @Header('Cache-Control', 'max-age=300')
  metadata(): ProtectedResourceMetadata {
    const { resource } = this.policy;
    if (resource === undefined) throw new NotFoundException(`Cannot GET ${PROTECTED_RESOURCE_METADATA_PATH}`);
    return (this.document ??= protectedResourceMetadata({ ...this.policy, resource }, this.scopes.all()));
  }
}
