// The AI SDK's own chat client against a running jixiao, as a React app's
// `useChat({ transport: new DefaultChatTransport({ api: JIXIAO + "/api/v1/chat" }) })` drives it:
// `AbstractChat` is the class `useChat` wraps (React only adds a state that re-renders).
// Usage: [JIXIAO_API_KEY=...] node chat.mjs JIXIAO_URL QUESTION [FOLLOW_UP ...]; prints the chat's
// messages as JSON. The key is only needed when the server has keys configured.
import { AbstractChat, DefaultChatTransport } from "ai";

class MemoryState {
  status = "ready";
  error = undefined;
  messages = [];
  pushMessage = (m) => { this.messages = this.messages.concat(m); };
  popMessage = () => { this.messages = this.messages.slice(0, -1); };
  replaceMessage = (i, m) => { this.messages = [...this.messages.slice(0, i), m, ...this.messages.slice(i + 1)]; };
  snapshot = (thing) => structuredClone(thing);
}

class Chat extends AbstractChat {
  constructor(init) { super({ ...init, state: new MemoryState() }); }
}

const [JIXIAO, ...questions] = process.argv.slice(2);
const KEY = process.env.JIXIAO_API_KEY;
const errors = [];
const chat = new Chat({
  transport: new DefaultChatTransport({
    api: JIXIAO + "/api/v1/chat",
    headers: KEY ? { Authorization: `Bearer ${KEY}` } : undefined,
  }),
  onError: (e) => errors.push(String(e)),
});
for (const text of questions) {
  await chat.sendMessage({ text });
  if (chat.status === "error" || errors.length) break;
}
console.log(JSON.stringify({ id: chat.id, status: chat.status, errors, messages: chat.messages }));
