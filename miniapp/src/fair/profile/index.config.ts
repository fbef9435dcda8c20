export default definePageConfig({ navigationBarTitleText: '年龄声明与客户端种子' });
