// Taro compiles the app (and the TypeScript source of @blindbox/shared) with this preset.
module.exports = {
  presets: [['taro', { framework: 'react', ts: true, compiler: 'webpack5' }]],
};
