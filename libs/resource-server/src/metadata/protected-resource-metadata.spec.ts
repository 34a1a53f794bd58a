import { describe, expect, it } from '@jest/globals';
import { protectedResourceMetadata, resourceMetadataUrl } from './protected-resource-metadata.js';

const BASE = { resource: 'https://todo.example.com', authorizationServers: ['https://auth.example.com'], mtls: false };

describe('protectedResourceMetadata', () => {
  it('lists the resource, its authorization servers, the header method and the scopes', () => {
    expect(protectedResourceMetadata(BASE, ['todo:read', 'todo:write'])).toEqual({
      resource: 'https://todo.example.com',
      authorization_servers: ['https://auth.example.com'],
      bearer_methods_supported: ['header'],
      scopes_supported: ['todo:read', 'todo:write'],
    });
  });

  it('adds the DPoP algorithms when DPoP is allowed', () => {
    const document = protectedResourceMetadata({ ...BASE, dpop: 'allowed', dpopAlgorithms: ['ES256'] }, []);
    expect(document.dpop_signing_alg_values_supported).toEqual(['ES256']);
    expect(document).not.toHaveProperty('dpop_bound_access_tokens_required');
  });

  it('says DPoP-bound tokens are required when DPoP is required, with the default algorithms', () => {
    expect(protectedResourceMetadata({ ...BASE, dpop: 'required' }, [])).toMatchObject({
      dpop_signing_alg_values_supported: ['ES256', 'RS256', 'PS256'],
      dpop_bound_access_tokens_required: true,
    });
  });

  it('names no DPoP field when DPoP is off', () => {
    const document = protectedResourceMetadata({ ...BASE, dpop: 'off', dpopAlgorithms: ['ES256'] }, []);
    expect(Object.keys(document).filter((key) => key.startsWith('dpop'))).toEqual([]);
  });

  it('says certificate-bound tokens are supported with mTLS', () => {
    expect(protectedResourceMetadata({ ...BASE, mtls: true }, [])).toMatchObject({
      tls_client_certificate_bound_access_tokens: true,
    });
    expect(protectedResourceMetadata(BASE, [])).not.toHaveProperty('tls_client_certificate_bound_access_tokens');
  });
});

describe('resourceMetadataUrl', () => {
  it('is the well-known path under the resource (RFC 9728 §3.1)', () => {
    expect(resourceMetadataUrl('https://todo.example.com')).toBe(
      'https://todo.example.com/.well-known/oauth-protected-resource',
    );
  });
});
