// placeholder: mock-llm is being written
print("mock-llm")
