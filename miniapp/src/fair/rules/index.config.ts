export default definePageConfig({ navigationBarTitleText: '规则与概率公示' });
