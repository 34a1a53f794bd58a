import { Controller, Get, Inject, Injectable, Module, UseGuards, type DynamicModule } from '@nestjs/common';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import jwksRsa from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { PEER_CONFIG, type PeerConfig } from './peer-config.js';

/** The strategy of the Nest/auth0 docs, as printed there: passport-jwt with jwks-rsa's `passportJwtSecret`. */
@Injectable()
class DocsJwtStrategy extends PassportStrategy(Strategy) {
  constructor(@Inject(PEER_CONFIG) config: PeerConfig) {
    super({
      secretOrKeyProvider: jwksRsa.passportJwtSecret({
        cache: true,
        rateLimit: true,
        jwksRequestsPerMinute: 5,
        jwksUri: config.jwksUri,
      }),
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      audience: config.audience,
      issuer: config.issuer,
      algorithms: ['RS256'],
    });
  }

  validate(payload: unknown): unknown {
    return payload;
  }
}

@Controller()
class DocsHelloController {
  @UseGuards(AuthGuard('jwt'))
  @Get('hello')
  hello(): { hello: string } {
    return { hello: 'world' };
  }
}

/** Peer (h): the Nest docs recipe, `@nestjs/passport` + `passport-jwt` + `jwks-rsa`, `AuthGuard('jwt')`. */
@Module({})
export class DocsRecipeAppModule {
  static with(config: PeerConfig): DynamicModule {
    return {
      module: DocsRecipeAppModule,
      imports: [PassportModule],
      controllers: [DocsHelloController],
      providers: [{ provide: PEER_CONFIG, useValue: config }, DocsJwtStrategy],
    };
  }
}
