// The tool's name (yargs's `$0`) and version, from package.json (inlined by the bundler).
import packageJson from '../package.json' with { type: 'json' };

export const TOOL_NAME = 'tlswitness';
export const TOOL_VERSION: string = packageJson.version;
