import {
  Catch,
  Module,
  type ArgumentsHost,
  type DynamicModule,
  type ExceptionFilter,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Response } from 'express';
import { auth, UnauthorizedError } from 'express-oauth2-jwt-bearer';
import { HelloController } from './hello.controller.js';
import type { PeerConfig } from './peer-config.js';

/** What the middleware's errors mean over HTTP (Nest would answer 500 to an error it does not know). */
@Catch(UnauthorizedError)
class Auth0ErrorFilter implements ExceptionFilter {
  catch(error: UnauthorizedError, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(error.status).set(error.headers).end();
  }
}

/** Peer (i): auth0's `express-oauth2-jwt-bearer` applied as Nest middleware to the route. */
@Module({})
export class Auth0AppModule implements NestModule {
  private static config: PeerConfig;

  static with(config: PeerConfig): DynamicModule {
    Auth0AppModule.config = config;
    return {
      module: Auth0AppModule,
      controllers: [HelloController],
      providers: [{ provide: APP_FILTER, useClass: Auth0ErrorFilter }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    const { issuer, jwksUri, audience } = Auth0AppModule.config;
    consumer.apply(auth({ issuer, jwksUri, audience })).forRoutes(HelloController);
  }
}
