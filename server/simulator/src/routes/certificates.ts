/** GET /v3/certificates: the platform certificates, each encrypted with the APIv3 key. */
import Router from '@koa/router';
import { encryptWithApiV3Key } from '../aead';
import type { SimContext } from '../context';
import { beijingTime } from '../time';

export function certificateRoutes(sim: SimContext): Router {
  const router = new Router();
  router.get('/v3/certificates', (ctx) => {
    ctx.body = {
      data: sim.keys.listedPlatformCertificates().map((cert) => ({
        serial_no: cert.serialNo,
        effective_time: beijingTime(cert.effectiveTime),
        expire_time: beijingTime(cert.expireTime),
        encrypt_certificate: encryptWithApiV3Key(sim.keys.credentials.apiV3Key, cert.certificatePem, 'certificate'),
      })),
    };
  });
  return router;
}
