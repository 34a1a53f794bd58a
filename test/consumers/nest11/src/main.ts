import { NestFactory } from '@nestjs/core';
import { ResourceServerWsAdapter } from 'nest-resource-server/ws';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const issuer = process.env.OAUTH_ISSUER ?? 'http://127.0.0.1:9';
  const app = await NestFactory.create(AppModule.forIssuer(issuer), { logger: ['error', 'warn'] });
  app.useWebSocketAdapter(new ResourceServerWsAdapter(app));
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  console.log(`listening on ${await app.getUrl()}`);
}
void bootstrap();
