// IIQ OAuth2 token endpoint answer: {"expires_in":1200,"token_type":"bearer","access_token":"…"} (reference §1).
import { z } from 'zod';
import { numberishSchema } from './common.ts';

export const oauthTokenSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: numberishSchema.pipe(z.number().positive()).optional(),
});
export type OauthToken = z.infer<typeof oauthTokenSchema>;
