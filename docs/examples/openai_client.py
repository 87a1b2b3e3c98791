"""jixiao through the official `openai` Python client (run by tests/test_client_examples.py).

JIXIAO_URL=http://127.0.0.1:8000 python docs/examples/openai_client.py
"""

import json
import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ.get("JIXIAO_URL", "http://127.0.0.1:8000") + "/v1",
    api_key=os.environ.get("JIXIAO_API_KEY", "local"),  # any value when no keys are configured
)
print([m.id for m in client.models.list()], client.models.retrieve("jixiao").owned_by)

question = [{"role": "user", "content": "8890项目2020年预算执行率是多少？"}]
reply = client.chat.completions.create(model="jixiao", messages=question)
print(reply.choices[0].message.content)  # the answer, then "来源 / Sources:" with page links
print(reply.model_extra["citations"][0]["page"], reply.model_extra["jixiao"]["computations"][0]["formula"])

for chunk in client.chat.completions.create(model="jixiao", messages=question, stream=True):
    if chunk.choices:
        print(chunk.choices[0].delta.content or "", end="")
print()

# the answer as JSON (answer, citations with url, computations, grounded)
as_json = client.chat.completions.create(
    model="jixiao", messages=question, response_format={"type": "json_object"}
)
print(json.loads(as_json.choices[0].message.content)["grounded"])
