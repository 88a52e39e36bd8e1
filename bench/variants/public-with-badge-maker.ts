// Measurement variant, not shipped: the public function with badge-maker imported at cold start
// (statically) instead of on the first badge request. The cold-import benchmark reports it
// beside the real public bundle: the difference is what badge-maker's import costs.
import 'badge-maker';
import '../../functions/public/handler.ts';
