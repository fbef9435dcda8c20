export default definePageConfig({ navigationBarTitleText: '监护人同意' });
