/**
 * The cart bundle's self-test (bundle.json `selfTest`, run by the OTA agent in a child `node` after a switch): the
 * runtime's whole module graph loads in this build, with the node_modules the slot resolves. Exit 0 passes; an
 * import that throws fails the health check with its stderr (OTA_HEALTH_CHECK_FAILED).
 */
await import('./cart-runtime.ts');
