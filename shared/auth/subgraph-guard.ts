import type { HttpHandler, HttpResponse } from '../http';
import type { IdentityVerifier } from './internal-token';

export function unauthorized(res: HttpResponse, message: string): void {
  res.setHeader('WWW-Authenticate', 'Bearer');
  res.status(401).json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
}

/**
 * A subgraph answers only the gateway: every request must carry the gateway's signed token for
 * this subgraph (`Authorization: Bearer …`). The verified identity goes to `res.locals.identity`.
 */
export function requireGatewayToken(verify: IdentityVerifier): HttpHandler {
  return (req, res, next) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return unauthorized(res, 'This service only answers the gateway: send your request to the gateway');
    verify(token).then(
      (identity) => {
        res.locals.identity = identity;
        next();
      },
      () => unauthorized(res, 'This service only answers the gateway: the forwarded identity is not valid'),
    );
  };
}
