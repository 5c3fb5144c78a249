// Starts GraphiQL on this server's API: queries over POST /graphql and
// subscriptions over /graphql/ws, with the staff client's session cookie
// (or an Authorization header set in GraphiQL's headers tab).
'use strict';

const endpoint = (path, socket) => {
  const url = new URL(path, location.origin);
  if (socket) url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
};

ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher: GraphiQL.createFetcher({
      url: endpoint('/graphql', false),
      subscriptionUrl: endpoint('/graphql/ws', true),
      fetch: (url, options = {}) => fetch(url, { ...options, credentials: 'same-origin' }),
    }),
    defaultEditorToolsVisibility: true,
  }),
);
