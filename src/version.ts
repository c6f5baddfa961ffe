// The tool's version, from package.json (inlined by the bundler).
import packageJson from '../package.json' with { type: 'json' };

export const TOOL_VERSION: string = packageJson.version;
