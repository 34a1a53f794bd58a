import { Reflector } from '@nestjs/core';

/** @internal The metadata behind {@link Public}. */
export const PublicRoute = Reflector.createDecorator<true>({ transform: () => true });

/**
 * Opts a route (method) or every route of a controller (class) out of the global guard:
 * no token is needed, and one that is sent is not looked at.
 * @example
 * @Public()
 * @Get('health')
 * health() { return { status: 'ok' }; }
 */
export const Public = (): ClassDecorator & MethodDecorator => PublicRoute(true);
