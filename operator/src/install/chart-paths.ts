import { fileURLToPath } from 'node:url';

/**
 * The chart directory, found from this module's place in the repository (operator/src/install or operator/dist/install;
 * the image keeps the same layout under /app). The chart's values.yaml and Chart.yaml are read at run time: they are
 * the single source of the install defaults.
 */
export const CHART_DIR = fileURLToPath(new URL('../../../charts/rocketry/', import.meta.url));
