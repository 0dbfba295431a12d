import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig } from './config.js';
import { StartupError, startService } from './service.js';

/** Process entry: read .env (when present) and the environment, start, stop cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  let service: Awaited<ReturnType<typeof startService>>;
  try {
    service = await startService(loadConfig(process.env));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StartupError) {
      process.stderr.write(`duplo-helpdesk-slack: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const shutdown = (signal: string) => {
    service.logger.info({ signal }, 'shutdown requested');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        service.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // A stray rejection in a library callback must not take every thread's work down with it: log it and go on.
  process.on('unhandledRejection', (reason) => service.logger.error({ err: reason }, 'unhandled rejection'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

// Start-up failures the service does not name (StartupError and ConfigError do) still stop with one line.
main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`duplo-helpdesk-slack: failed to start: ${message.split('\n')[0]}\n`);
  process.exit(1);
});
