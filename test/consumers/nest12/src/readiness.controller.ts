import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public, ResourceServerHealthIndicator } from 'nest-resource-server';

/** `GET /health/ready`, the library README's Readiness recipe: 200 once tokens can be validated, 503 before. */
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
