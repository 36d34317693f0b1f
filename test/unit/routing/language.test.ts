/** Language detection for routing: the dominant script of what the user wrote, or nothing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectLanguage, detectTextLanguage } from '../../../src/router/language.js';
import type { ChatMessage } from '../../../src/core/types.js';

test('each script names its language', () => {
  assert.equal(detectTextLanguage('请用三句话解释量子纠缠。'), 'zh');
  assert.equal(detectTextLanguage('東京の天気を教えてください。'), 'ja', 'kanji between kana is Japanese');
  assert.equal(detectTextLanguage('カタカナだけのテキスト'), 'ja');
  assert.equal(detectTextLanguage('서울의 날씨는 어때요?'), 'ko');
  assert.equal(detectTextLanguage('Объясни, пожалуйста, как работает TCP.'), 'ru');
  assert.equal(detectTextLanguage('ما هي عاصمة فرنسا؟ ١٢٣'), 'ar');
  assert.equal(detectTextLanguage('भारत की राजधानी क्या है?'), 'hi');
  assert.equal(detectTextLanguage('𠀀𠀁𠀂 汉字'), 'zh', 'Han beyond the BMP counts too');
});

test('Latin, mixed or letterless text names no language', () => {
  assert.equal(detectTextLanguage('What is the capital of France?'), undefined);
  assert.equal(detectTextLanguage("Quelle est la capitale de l'Allemagne ? Ça dépend."), undefined);
  assert.equal(detectTextLanguage('Fix this: function add(a, b) { return a - b; } // 加法函数'), undefined, 'code with a Chinese comment is no clear majority');
  assert.equal(detectTextLanguage('Translate «Καλημέρα κόσμε» please'), undefined);
  assert.equal(detectTextLanguage('Καλημέρα κόσμε, τι κάνεις;'), undefined, 'Greek is a script we name no language for');
  assert.equal(detectTextLanguage('2 + 2 = ? 🦄 ... !!!'), undefined);
  assert.equal(detectTextLanguage(''), undefined);
});

test('a clear majority wins over a few foreign words', () => {
  assert.equal(detectTextLanguage('我想在 Python 里读取一个 CSV 文件，然后按日期排序，最后输出前十行，应该怎么写？'), 'zh');
  assert.equal(detectTextLanguage('Как настроить nginx для проксирования запросов на бэкенд?'), 'ru');
});

test('only user and tool text counts, newest first', () => {
  const sys = (content: string): ChatMessage => ({ role: 'system', content });
  const user = (content: ChatMessage['content']): ChatMessage => ({ role: 'user', content });
  assert.equal(detectLanguage([sys('You are a helpful assistant. Answer briefly and politely, always.'), user('今天北京天气怎么样？')]), 'zh', 'an English system prompt does not outvote the user');
  assert.equal(detectLanguage([sys('你是一个乐于助人的助手。'), user('What is the weather like?')]), undefined);
  assert.equal(detectLanguage([user([{ type: 'text', text: 'Что на картинке?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }])]), 'ru');
  assert.equal(detectLanguage([
    user('Hi'),
    { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'search', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: '검색 결과: 서울은 맑음, 기온 영상 십도' },
  ]), 'ko');
  // A long English history does not drown a Chinese turn: the newest letters fill the budget first.
  const history: ChatMessage[] = [user('Tell me a story. '.repeat(300)), { role: 'assistant', content: 'Once upon a time…' }];
  assert.equal(detectLanguage([...history, user('请把这个故事翻译成中文，并且保留原来的语气和节奏，谢谢你的帮助。'.repeat(100))]), 'zh');
});
