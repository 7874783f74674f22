// The service's entry point: what the image runs (app/build.ts bundles it).
import { serve } from './serve';

await serve();
