// A device identity that lives in memory only: a fresh Ed25519 key pair, and the device token the gateway
// issues for it kept beside it. A clustered pool's owner uses one per acquisition of a gateway key, so the
// next owner can have the gateway close this owner's sockets (`device.pair.remove`) without ever touching an
// identity that is in use again. Like the file identity, it serializes and inspects as its public half only.
import { generateKeyPairSync, sign } from 'node:crypto';
import { inspect } from 'node:util';
import { deriveDeviceId, type DeviceIdentity } from './device-identity.js';

export function createEphemeralDeviceIdentity(): DeviceIdentity {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new TypeError('Ed25519 public key has no x coordinate');
  const raw = jwk.x;
  const deviceId = deriveDeviceId(raw);
  let deviceToken: string | undefined;
  const identity: DeviceIdentity = {
    path: '(memory)',
    deviceId,
    publicKey: raw,
    get deviceToken() {
      return deviceToken;
    },
    sign: (payload) => sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64url'),
    saveDeviceToken(token) {
      deviceToken = token;
    },
    forgetDeviceToken() {
      deviceToken = undefined;
    },
  };
  const publicView = () => ({ path: '(memory)', deviceId, publicKey: raw });
  Object.defineProperty(identity, 'toJSON', { value: publicView, enumerable: false });
  Object.defineProperty(identity, inspect.custom, { value: () => `DeviceIdentity ${inspect(publicView())}` });
  return identity;
}
