// createAppPermissionsService(store): the example subgraph as a Yoga fetch handler / Node listener.
// No side effects on import; server.ts listens.
import { createYoga } from 'graphql-yoga';
import { appPermissionsSchema, type AppContext } from './schema.ts';
import type { AppStore } from './store.ts';

export function createAppPermissionsService(store: AppStore) {
  return createYoga<Record<string, unknown>, AppContext>({
    schema: appPermissionsSchema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: false,
    logging: false,
    context: () => ({ store }),
  });
}
