import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public, ResourceServerHealthIndicator } from 'nest-resource-server';

/**
 * `GET /health/ready`: public; 200 when the API can validate tokens now, 503 otherwise, in
 * terminus's shape (`{ status, info, error, details }`). `GET /health` stays liveness.
 */
@Public()
@Controller('health')
export class ReadinessController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly resourceServer: ResourceServerHealthIndicator,
  ) {}

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.resourceServer.isHealthy()]);
  }
}
