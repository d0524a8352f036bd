// The dispatch workflow's scenarios in simulated time (production timers, every activity faked),
// one module a concern. One test file runs them all so they share one time-skipping server and one
// worker: started once instead of once a module, which costs seconds of CPU each on two cores.
import './scenarios/ladder';
import './scenarios/replies';
import './scenarios/delivery';
import './scenarios/afterAccept';
import './scenarios/schedule';
import './scenarios/storms';
import './scenarios/historyCost';
