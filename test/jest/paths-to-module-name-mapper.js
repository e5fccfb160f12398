// Maps tsconfig "paths" (one target each, no wildcards) to Jest's moduleNameMapper.
function pathsToModuleNameMapper(paths, prefix) {
  const mapper = {};
  for (const [alias, targets] of Object.entries(paths)) {
    if (alias.includes('*')) throw new Error(`wildcard path alias not supported: ${alias}`);
    mapper[`^${alias.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`] = prefix + targets[0];
  }
  return mapper;
}
module.exports = { pathsToModuleNameMapper };
