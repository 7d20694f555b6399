// Test-only PKI: a throwaway CA and a server certificate for 127.0.0.1 / localhost signed by it.
import { generate } from 'selfsigned';

export interface TestPki {
  caCert: string;
  serverKey: string;
  serverCert: string;
}

export async function makePki(cn = 'iiq-graph test CA'): Promise<TestPki> {
  const notAfterDate = new Date(Date.now() + 86_400_000);
  const ca = await generate([{ name: 'commonName', value: cn }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { caCert: ca.cert, serverKey: server.private, serverCert: server.cert };
}
