import { BadRequestException } from '@nestjs/common';

/** A required string field of a JSON body, trimmed, 1 to `max` characters. */
export function textField(body: unknown, name: string, max: number): string {
  const value = (body as Record<string, unknown> | null)?.[name];
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw new BadRequestException(`${name}: expected a string of 1 to ${max} characters`);
  }
  return value.trim();
}
