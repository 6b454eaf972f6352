/** Job IDs are readable like master IDs: `JOB_` and the job's number, zero-padded (older = smaller). */
export const jobIdOf = (n: number | string): string => `JOB_${String(n).padStart(10, '0')}`;

export const jobNumberOf = (id: string): number | undefined => {
  const m = /^JOB_(\d{1,15})$/.exec(id);
  return m ? Number(m[1]) : undefined;
};
