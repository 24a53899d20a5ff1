// Mocha's spec reporter plus the one closing line CI reads: "N passed, N failed".
const Mocha = require("mocha");
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats ?? {};
      const skipped = pending ? `, ${pending} skipped` : "";
      process.stdout.write(`\n${passes ?? 0} passed, ${failures ?? 0} failed${skipped}\n`);
    });
  }
}
module.exports = SummaryReporter;
