import type { Config } from './config.js';
import type { Queues } from './queues/queues.js';
import type { MaintenanceTask } from './queues/registry.js';

/** A maintenance task and how often its BullMQ job scheduler (named after the task) runs it. */
export interface MaintenanceSchedule {
  task: MaintenanceTask;
  everyMs: number;
}

/** Every maintenance task, at its configured interval. */
export function maintenanceSchedules(config: Config): MaintenanceSchedule[] {
  return [
    { task: 'reconcile', everyMs: config.reconcile.intervalMs },
    { task: 'purge', everyMs: config.retention.intervalMs },
  ];
}

/** Runs the task every `everyMs`, from every worker process that serves the maintenance queue. */
export async function scheduleMaintenance(
  queues: Queues,
  { task, everyMs }: MaintenanceSchedule,
): Promise<void> {
  await queues.schedule('maintenance', task, everyMs, { task });
}

/**
 * Schedules the task again if its scheduler is gone: it lives in Redis and is lost with everything else
 * there, which is when the reconciler is needed most. True when it had to.
 */
export async function restoreMaintenanceSchedule(
  queues: Queues,
  schedule: MaintenanceSchedule,
): Promise<boolean> {
  if (await queues.isScheduled('maintenance', schedule.task)) return false;
  await scheduleMaintenance(queues, schedule);
  return true;
}
