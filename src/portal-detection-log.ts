import type { Logger } from './logger.js';
import type { DetectionObservation } from './portal/index.js';

const words = { tenant: 'the tenant-scoped HelpDesk', workspace: 'the workspace-scoped HelpDesk' } as const;

/**
 * The log lines of HelpDesk detection (docs/duplocloud-api.md §0): one line when a portal's generation becomes
 * known or changes, one clear line when a portal answers neither probe (repeated only when the reason changes), and
 * nothing more for the checks that confirm what was known.
 */
export function createDetectionLog(logger: Logger): (observation: DetectionObservation) => void {
  const last = new Map<string, string>();
  return (observation) => {
    const { portal, api, ms } = observation;
    const state = api ?? `none:${observation.reason ?? ''}`;
    const repeated = last.get(portal) === state;
    last.set(portal, state);
    if (api) {
      if (repeated) return logger.debug({ portal, api, ms }, 'portal HelpDesk confirmed');
      const level = observation.changed ? 'warn' : 'info';
      return logger[level](
        { portal, api, how: observation.how, ms, ...(observation.changed ? { changed: true } : {}) },
        `portal ${portal} speaks ${words[api]}${observation.changed ? ' now (it changed)' : ''}`,
      );
    }
    if (repeated) return logger.debug({ portal, reason: observation.reason }, 'portal HelpDesk still unknown');
    logger.warn(
      { portal, reason: observation.reason, ms },
      `portal ${portal} is unavailable: ${observation.reason ?? 'its HelpDesk could not be detected'}. The other ` +
        `portals keep working; it is asked again on its next use. Set api: tenant or api: workspace for it in ` +
        'DUPLO_SLACK_APP_PORTALS if its HelpDesk should not be detected.',
    );
  };
}
