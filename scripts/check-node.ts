// Fails fast when npm scripts would run on the wrong Node major (the project targets nodejs24.x).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `bucket-status needs Node 24 (found ${process.version}); run through npm scripts so node_modules/.bin/node is used.`,
  );
  process.exit(1);
}
