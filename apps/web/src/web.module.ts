import { Module, type DynamicModule } from '@nestjs/common';
import { AuthController } from './auth.controller.js';
import { CookieSealer } from './cookie-sealer.js';
import { OidcClient } from '../../shared/src/oidc-client.js';
import { PageController } from './page.controller.js';
import { SameOriginGuard } from './same-origin.guard.js';
import type { WebConfig } from './web-config.js';
import { COOKIE_SEALER, OIDC_CLIENT, WEB_CONFIG } from './web.tokens.js';

/** The web app: a page, and the login that puts the tokens into cookies. Not a resource server. */
@Module({})
export class WebModule {
  static forRoot(config: WebConfig): DynamicModule {
    const oidc = OidcClient.forApp(config, config.origin);
    return {
      module: WebModule,
      controllers: [PageController, AuthController],
      providers: [
        { provide: WEB_CONFIG, useValue: config },
        { provide: OIDC_CLIENT, useValue: oidc },
        { provide: COOKIE_SEALER, useValue: new CookieSealer() },
        SameOriginGuard,
      ],
    };
  }
}
